"""The editors' playground page: static HTML, CSS and JavaScript shipped with the package."""
