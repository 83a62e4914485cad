"""The soak (issue 17, item 5): `python -m bench.soak --minutes N`; see bench/soak/main.py."""
