"""Case work (app `cases`): the case of a presumed victim, identification, indicators, consent,
protection (reflection period, residence, guardian, best interests, family tracing), retention and
first-contact registration."""
