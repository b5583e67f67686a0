"""Serving the dashboard past one machine: nginx config, replica launcher, Docker image."""
