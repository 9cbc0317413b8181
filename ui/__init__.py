"""What the pages share, one job a module: the session's context (`context`), kept choices and
session keys (`state`), widgets (`widgets`), charts (`charts`), the words for the model's data
(`words`) and the page's injected CSS and script (`assets/`).

UI only: every computation comes from the `model` package. Pages import these modules, never
each other.
"""
