"""Errors raised by the page parsers."""


class NotAnArticle(Exception):
    """The page is not an article (a list page, an error page, binary, truncated...).

    `reason` is a short machine-friendly key used in stats (`parknews/not_article/<reason>`).
    """

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
