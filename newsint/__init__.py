"""The `newsint` command line: the top layer, over flows/, warehouse/ and pipeline/."""
