"""Helpers for the filtersets every app shares between its pages and its API."""


def visible(model):
    """A filter's choices: the rows of ``model`` the requesting user may see."""
    return lambda request: model.objects.restrict(request.user, "view")
