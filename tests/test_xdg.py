from pathlib import Path

from verifier.xdg import base_dir


def test_the_variable_wins() -> None:
    env = {"XDG_DATA_HOME": "/srv/data", "HOME": "/home/ann"}
    assert base_dir("XDG_DATA_HOME", ".local/share", env) == Path("/srv/data")


def test_unset_or_empty_falls_back_under_home() -> None:
    assert base_dir("XDG_CONFIG_HOME", ".config", {"HOME": "/home/ann"}) == Path("/home/ann/.config")
    empty = {"XDG_CONFIG_HOME": "", "HOME": "/home/ann"}
    assert base_dir("XDG_CONFIG_HOME", ".config", empty) == Path("/home/ann/.config")
