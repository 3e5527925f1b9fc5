"""The working side of coordination bodies (app `work`): meetings, decisions, action items and the
national action plan tied to the Framework for Action."""
