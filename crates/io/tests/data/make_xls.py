"""Writes people.xls, an Excel 97-2003 (BIFF) workbook for the XLS reader's test.

Needs xlwt (pip install xlwt); run from this folder: python3 make_xls.py
Every person here is made up.
"""

import xlwt

workbook = xlwt.Workbook(encoding="utf-8")
sheet = workbook.add_sheet("户籍")
rows = [
    ["编号", "姓名", "身份证号", "出生日期"],
    ["1", "张伟", "11010519491231002X", "1949-12-31"],
    ["2", "李娜", "110105198001010024", "1980-01-01"],
]
for r, row in enumerate(rows):
    for c, value in enumerate(row):
        sheet.write(r, c, value)
# A row as a spreadsheet keeps numbers: the ID number is a float, its last digits rounded.
sheet.write(3, 0, 3.0)
sheet.write(3, 1, "王芳")
sheet.write(3, 2, 110105199002020042.0)
sheet.write(3, 3, "1990-02-02")
workbook.save("people.xls")
