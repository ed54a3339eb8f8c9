"""What other apps may react to when a citizen's facts change.

``citizens`` knows nothing of the apps that keep state derived from a citizen (courses keep the responsible doctor,
which depends on the acute function). Those apps connect to ``citizen_changed`` in their ``AppConfig.ready``;
the citizen services send it inside their transaction, so a receiver's writes commit or roll back with the change.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``citizen`` (the saved Citizen) and ``fields`` (a frozenset of the model field names that changed).
citizen_changed = Signal()
