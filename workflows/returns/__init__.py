"""Return procedures across a border (app `returns`): the state machine and the records its
safeguards read, risk assessment, decision, preparation, post-return monitoring, and the live
figures of the ministries' corridor board (`board`)."""
