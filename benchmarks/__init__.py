"""Benchmarks of the bot's own overhead, run by hand: ``bash scripts/bench``.

Everything runs offline against the test rig (GitHub fake, git remote over HTTP,
scripted model), so what is measured is the bot's cost, not a network's or a model's.
"""
