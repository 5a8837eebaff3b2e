"""Registries through which a lower app lets higher apps react, without importing them.

``workflow.hooks.assignment_closed = Hook("assignment_closed")``; ``escalation`` connects one
function at start-up (``AppConfig.ready``); workflow's services call ``send`` inside their
transaction, so a receiver's writes land with the change or not at all.
"""

from collections.abc import Callable


class Hook:
    def __init__(self, name: str):
        self.name = name
        self._receivers: list[Callable[..., object]] = []

    def connect(self, receiver: Callable[..., object]) -> Callable[..., object]:
        """Subscribe ``receiver`` (usable as a decorator); connecting twice is a no-op."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def send(self, **kwargs) -> None:
        for receiver in self._receivers:
            receiver(**kwargs)

    def __repr__(self):
        return f"Hook({self.name!r}, {len(self._receivers)} receivers)"
