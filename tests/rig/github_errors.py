"""The errors the GitHub fake answers with, in GitHub's shapes."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]
DOCS = "https://docs.github.com/rest"


class HTTPError(Exception):
    """An error reply in GitHub's shape (`validation-error` when `errors` is given)."""

    def __init__(self, status: int, message: str, errors: list[JSON] | None = None) -> None:
        super().__init__(message)
        self.status, self.errors = status, errors
        self.body: JSON = {"message": message, "documentation_url": DOCS}
        if errors is not None:  # `validation-error` has no `status` field (basic-error has)
            self.body["errors"] = errors
        else:
            self.body["status"] = str(status)


def not_found() -> HTTPError:
    return HTTPError(404, "Not Found")


def invalid(*errors: JSON) -> HTTPError:
    return HTTPError(422, "Validation Failed", list(errors))


def unprocessable(*sentences: str, docs: str = DOCS) -> HTTPError:
    """GitHub's other 422 (`validation-error-simple`, e.g. of reviews): `errors` are plain
    sentences and there is no `status` field."""
    e = HTTPError(422, "Unprocessable Entity")
    e.body = {
        "message": "Unprocessable Entity",
        "errors": list(sentences),
        "documentation_url": docs,
    }
    return e


# GitHub refuses longer bodies of comments, issues and pull requests, counted in characters
# (the OpenAPI description gives no maxLength; this is what the API answers).
MAX_BODY = 65_536


def check_body(resource: str, text: str | None) -> None:
    if text is not None and len(text) > MAX_BODY:
        raise invalid(
            {
                "resource": resource,
                "code": "custom",
                "field": "body",
                "message": f"body is too long (maximum is {MAX_BODY} characters)",
            }
        )
