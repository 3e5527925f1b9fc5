"""The workflows of a person's case, three apps depending one way: `workflows.cases` (cases,
identification, indicators, consent, protection) ← `workflows.referrals` (referrals between
agencies) ← `workflows.returns` (return procedures)."""
