"""Tests for codex-pr-bot."""
