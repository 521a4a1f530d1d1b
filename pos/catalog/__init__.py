"""Items, barcodes (weight barcodes included), price groups, segments, prices per store."""
