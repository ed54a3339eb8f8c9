"""Which commands may start without ``SECRET_KEY``.

Most of Sektorbro serves requests, writes sessions or signs tokens, and for those the settings insist on a real
``SECRET_KEY``. A few console commands only read files (or the reference tables) and write a report: validating
MedCom messages, evaluating a rule scenario, computing indicators from registry files. An analyst or integrator
who runs them has no web secret and needs none.

The console entry point (:mod:`sektorbro.cli`) recognises those commands from ``argv`` before Django is set up
and calls :func:`allow_without_secret_key`. (``audits candidates`` over registry files needs no Django at all: the
CLI runs it before Django is set up, see ``sektorbro.cli.PURE_COMMANDS``.) The flag lives in this module, not in an environment variable, so
it cannot be switched on from outside the process and is never inherited by a server. The settings then use
:class:`UnusableSecretKey`: a random value that is never stored and that refuses to be used for signing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# (command, subcommand) pairs that sign nothing and serve nothing.
PURE_COMMANDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("rules", "evaluate"),
        ("medcom", "validate"),
        ("medcom", "ack"),
        ("indicators", "compute"),  # only over registry files; see is_pure_command
        ("registry", "synth"),
        ("flowchart", "check"),
        ("reference", "municipalities"),
        ("reference", "clusters"),
        ("reference", "units"),
    }
)
# Commands that are pure only when they read registry files rather than the platform's own database.
_REGISTRY_ONLY = {"indicators"}
_HELP = {"help", "--help", "-h", "--version", "version"}

_allowed = False


def is_pure_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` (the arguments after the program name) runs a command that needs no ``SECRET_KEY``."""
    args = list(argv)
    if not args or args[0] in _HELP:
        return True
    if len(args) < 2 or (args[0], args[1]) not in PURE_COMMANDS:
        return False
    if args[0] in _REGISTRY_ONLY:
        rest = args[2:]
        if any(a == "--from-platform" or a.startswith("--from-platform=") for a in rest):
            return False
        return any(a == "--registry" or a.startswith("--registry=") for a in rest) or any(
            a in ("-h", "--help") for a in rest
        )
    return True


def allow_without_secret_key() -> None:
    """Let the settings start without ``SECRET_KEY`` in this process (called by the CLI for pure commands)."""
    global _allowed
    _allowed = True


def secret_key_optional() -> bool:
    return _allowed


class UnusableSecretKey(str):
    """A random stand-in for ``SECRET_KEY`` that fails loudly when anything tries to sign with it."""

    __slots__ = ()

    def __new__(cls) -> UnusableSecretKey:
        return super().__new__(cls, "unusable-" + secrets.token_urlsafe(48))

    def _refuse(self) -> ImproperlyConfigured:
        return ImproperlyConfigured(
            "SECRET_KEY is not set: this command was started without one because it was not expected to sign "
            "anything; set SECRET_KEY to run it"
        )

    # Django turns the key into bytes with str(key).encode() (django.utils.encoding.force_bytes).
    def __str__(self) -> str:
        raise self._refuse()

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        raise self._refuse()

    def __repr__(self) -> str:
        return "UnusableSecretKey()"
