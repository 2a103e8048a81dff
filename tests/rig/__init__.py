"""Test rig: local stand-ins for the services the bot talks to."""
