"""The working side of coordination bodies (issue 7): meetings, decisions, action items, the
national action plan, statistics and the annual report. Models: coordination/models_work.py."""
