"""Sources: each module knows one upstream format and turns it into warehouse rows or quarantine."""
