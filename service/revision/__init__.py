"""Developing stories: a box that follows its story through revisions (issue 30)."""
