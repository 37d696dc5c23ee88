"""The edge of the platform: settings, tokens and authentication, before any resolver runs."""
