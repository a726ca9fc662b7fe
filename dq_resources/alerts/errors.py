"""The alert store's one error for a request it refuses; the CLI prints it as it is."""


class AlertStoreError(Exception):
    """A request the store cannot honour: an unknown alert, or a transition its status forbids."""
