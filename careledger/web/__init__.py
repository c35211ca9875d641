"""The site shell, on top of every app: the home page, sign-in, the navigation, shared template tags,
and the commands that drive several apps (demo data, imports, the periodic tick). Nothing imports it."""
