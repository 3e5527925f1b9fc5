"""Return procedures (issue 5): the pieces that are neither models, guards, services nor selectors.

* `risk` — the risk factors (seed 004), the rating scale and how the overall level is derived;
* `schedule` — the post-return monitoring schedule;
* `coverage` — what the agreements in force between the two States allow (legal basis, information
  exchange);
* `permissions` — object permissions on return procedures (granted by the services only);
* `board` — the ministries' corridor board (figures only, computed in the database);
* `actions` — the table of actions shared by the pages and the API.
"""
