"""Domain signals of the coordination app, sent inside the service's transaction with
`sender=<Model>, instance=<object>, event=<event row>, actor=<user or None>`."""

from django.dispatch import Signal

# A membership was added, changed or ended (event.transition says which).
membership_changed = Signal()
