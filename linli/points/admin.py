"""Points admin: nothing registered. The ledger is append-only and changes only through the actions
(awards, corrections, reversals, redemptions); rules, shop items and selections have their own pages
under /points/ for holders of ``points.manage``."""
