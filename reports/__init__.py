"""Reports built from the portal's approved data: the biennial stocktaking report."""
