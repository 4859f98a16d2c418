"""Documentation that cannot drift: every setting and command is in the README."""

from pathlib import Path

from metrics import config
from metrics.cli import main as cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for name in config.SETTINGS:
        assert f"`{name}`" in README, f"{name} is missing from the README"


def test_every_command_is_documented() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in sub.choices:  # type: ignore[union-attr]
        assert f"python -m metrics {command}" in README, f"'{command}' is missing from the README"
