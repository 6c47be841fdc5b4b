"""The trainer's workshop screens: the window, the live dashboard, room mode, feedback."""
