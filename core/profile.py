"""The profile page's sections: a registry each app fills (in ``AppConfig.ready``) with what a
person sets for themselves there, so the page (in ``agencies``) imports no app above it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProfileSection:
    name: str
    template: str  # rendered with ``data`` (and the page's context)
    data: Callable[[Any], dict]  # request -> the template's data


_sections: dict[str, ProfileSection] = {}


def register(section: ProfileSection) -> ProfileSection:
    if section.name in _sections:
        raise RuntimeError(f"A profile section named {section.name} is already registered.")
    _sections[section.name] = section
    return section


def sections(request) -> list[tuple[ProfileSection, dict]]:
    """Each registered section with its data for the person signed in, in registration order."""
    return [(section, section.data(request)) for section in _sections.values()]
