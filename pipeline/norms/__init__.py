"""Normalisation of mentions to canonical forms: countries, people, weapons."""
