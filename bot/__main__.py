"""``python -m bot``: the container's entry point, action mode unless told otherwise."""

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main(default="action"))
