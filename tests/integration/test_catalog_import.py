"""Bulk import: every row validated, errors by row, all rows or none written."""

import json

from sqlalchemy import func, select

from pos.catalog.importer import import_file
from pos.catalog.model import Barcode, Item, Price

HEADER = "sku,name,unit,is_weighed,vat_rate,plu,price_group,segments,barcodes,price,store\n"


def counts(db):
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Item, Barcode, Price))


def run(app, db, path, fmt):
    return import_file(db, path, fmt, app.extensions["pos.barcode_layouts"],
                       app.extensions["pos.clock"].now())


def test_csv_import_writes_items_barcodes_and_prices(app, db, shop, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text(HEADER
                    + "TEA-BLACK,Black tea,pcs,false,vat20,,DAIRY,MILK,4006381333931,99.90,MAIN\n"
                    + "PEAR-KG,Pears,kg,true,vat10,77,PRODUCE,FRUIT;MILK,,199.90,MAIN\n")
    before = counts(db)
    report = run(app, db, path, "csv")
    assert report.errors == []
    assert counts(db) == (before[0] + 2, before[1] + 1, before[2] + 2)


def test_one_bad_row_writes_nothing_and_names_row_and_field(app, db, shop, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text(HEADER
                    + "TEA-BLACK,Black tea,pcs,false,vat20,,,,4006381333931,99.90,MAIN\n"
                    + "TEA-GREEN,Green tea,pcs,false,vat20,,,,4006381333932,99.90,MAIN\n"
                    + "OAT-MILK-1L,Dup,pcs,false,vat20,,,,,-1.00,NOWHERE\n")
    before = counts(db)
    report = run(app, db, path, "csv")
    found = {(row, field, code) for row, field, code, _ in report.errors}
    assert (2, "barcodes[0]", "invalid_check_digit") in found
    assert (3, "price", "invalid_value") in found
    assert counts(db) == before


def test_duplicates_inside_the_file_are_reported(app, db, shop, tmp_path):
    path = tmp_path / "items.json"
    rows = [{"sku": "A-1", "name": "A", "barcodes": ["4006381333931"]},
            {"sku": "A-1", "name": "A again", "barcodes": ["4006381333931"]},
            {"sku": "B-1", "name": "B", "store": "NOWHERE", "price": "1.00"}]
    path.write_text(json.dumps(rows))
    report = run(app, db, path, "json")
    codes = {(row, code) for row, _, code, _ in report.errors}
    assert {(2, "duplicate_sku"), (2, "duplicate_barcode"), (3, "unknown_store")} <= codes
    assert counts(db)[0] == 4


def test_an_unreadable_file_is_one_error(app, db, shop, tmp_path):
    path = tmp_path / "items.json"
    path.write_text("{not json")
    report = run(app, db, path, "json")
    assert report.errors[0][2] == "unreadable_file"
