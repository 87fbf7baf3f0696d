"""The spaCy pipeline: our components and the build that assembles them from models/."""
