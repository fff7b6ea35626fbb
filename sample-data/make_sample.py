#!/usr/bin/env python3
"""Writes the hand-made sample district of censuslink (sample-data/*): six small extracts, one
per source role, in the formats and encodings departments deliver (GBK CSV, UTF-8-with-BOM CSV,
GB18030 CSV, XLSX with a title row and date cells, Parquet with date types, Arrow IPC).

Every person, name and ID number here is made up. The files are committed; this script is
their provenance (needs pyarrow and openpyxl). The synthetic-district generator replaces them.
"""
import datetime as dt
import os

import openpyxl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def citizen_id(region, born, seq):
    body = f"{region}{born}{seq:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
    return body + check


# (key, name, sex, birth yyyymmdd, sequence, ethnicity, hukou region, living in EA)
PEOPLE = [
    ("P01", "张伟", 1, "19870506", 11, "01", "320102001001"),
    ("P02", "王芳", 2, "19890212", 22, "01", "320102001001"),
    ("P03", "张子涵", 2, "20150809", 42, "01", "320102001001"),
    ("P04", "欧阳娜娜", 2, "19630317", 28, "01", "320102002003"),
    ("P05", "李建国", 1, "19550101", 15, "01", "320102002003"),
    ("P06", "买买提·吐尔逊", 1, "19920720", 31, "05", "653101100201"),
    ("P07", "单雪梅", 2, "19780930", 64, "01", "320102001002"),
    ("P08", "曾志强", 1, "20010415", 17, "01", "320104003001"),
    ("P09", "刘洋", 1, "19950623", 53, "01", "320102001002"),
    ("P10", "陈静", 2, "19950811", 26, "01", "320102001002"),
    ("P11", "赵一诺", 2, "20120105", 88, "01", "320102002003"),
    ("P12", "周宇轩", 1, "20090318", 77, "03", "320102002003"),
]
ID = {key: citizen_id(region[:6], born, seq) for key, _, _, born, seq, _, region in PEOPLE}


def write_census():
    """GBK CSV, as a census data-processing system exports it."""
    header = "普查小区,户编号,与户主关系,姓名,公民身份号码,性别,出生年月,民族,登记类型,填报方式,现住地代码"
    rows = []
    for i, (key, name, sex, born, _, eth, region) in enumerate(PEOPLE[:10]):
        ea = "320102001001001" if i < 5 else "320102001002002"
        household = f"{ea}-{1 + i // 3:03d}"
        relation = "0" if i % 3 == 0 else "1" if i % 3 == 1 else "2"
        record_type = "户在人不在" if key == "P06" else "常住"
        mode = "自主填报" if i % 2 == 0 else "普查员"
        rows.append([ea, household, relation, name, ID[key], str(sex), born[:6], eth, record_type, mode, region])
    # The same person enumerated twice: once by self-report, once by an enumerator, elsewhere.
    rows.append(["320102001002002", "320102001002002-009", "0", "张伟", ID["P01"], "1", "198705", "01", "常住", "普查员", "320102001002"])
    # An infant with no ID yet.
    rows.append(["320102001001001", "320102001001001-002", "2", "王小宝", "", "1", "202009", "01", "常住", "普查员", "320102001001"])
    with open(os.path.join(HERE, "census.csv"), "w", encoding="gbk", newline="") as f:
        f.write(header + "\r\n")
        for row in rows:
            f.write(",".join(row) + "\r\n")


def write_hukou():
    """UTF-8 CSV with a BOM, as the police hukou system exports it, dates written four ways."""
    formats = ["{y}-{m}-{d}", "{y}/{mi}/{di}", "{y}{m}{d}", "{y}年{mi}月{di}日"]
    header = "户籍编号,姓名,身份证号,性别,出生日期,民族,户籍地代码,户籍地址"
    rows = []
    for i, (key, name, sex, born, _, eth, region) in enumerate(PEOPLE):
        y, m, d = born[:4], born[4:6], born[6:]
        date = formats[i % 4].format(y=y, m=m, d=d, mi=int(m), di=int(d))
        shown = {"P01": "張偉", "P06": "买买提・吐尔逊"}.get(key, name)
        id_text = ID[key].lower() if key == "P08" else ID[key]
        rows.append([f"H{i + 1:04d}", shown, id_text, "男" if sex == 1 else "女", date, "汉族" if eth == "01" else "维吾尔族" if eth == "05" else "回族", region[:9], "江苏省南京市玄武区长江路" + str(10 + i) + "号"])
    # Dead but not cancelled: still on the register.
    rows.append(["H0099", "孙桂兰", citizen_id("320102", "19360214", 2), "女", "1936-02-14", "汉族", "320102001", "江苏省南京市玄武区长江路99号"])
    # A row whose sex and ethnicity the clerk did not know.
    rows.append(["H0100", "吴磊", citizen_id("320102", "19990909", 19), "不详", "1999-09-09", "不详", "320102002", "不详"])
    with open(os.path.join(HERE, "hukou.csv"), "w", encoding="utf-8-sig", newline="") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def write_birth():
    """XLSX with a title row above the header and birth dates as Excel date cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "出生登记"
    ws.append(["2019年11月—2020年10月玄武区出生医学证明信息"])
    ws.append(["出生证编号", "新生儿姓名", "性别", "出生日期", "出生地点", "母亲姓名", "母亲身份证号"])
    ws.append(["N320102001", "", "男", dt.date(2020, 9, 14), "玄武区妇幼保健院", "王芳", ID["P02"]])
    ws.append(["N320102002", "陈静之女", "女", dt.date(2020, 10, 30), "玄武区妇幼保健院", "陈静", ID["P10"]])
    ws.append(["N320102003", "李沐辰", "男", dt.date(2020, 11, 2), "玄武区妇幼保健院", "单雪梅", ID["P07"]])
    for row in ws.iter_rows(min_row=3, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    wb.save(os.path.join(HERE, "birth.xlsx"))


def write_death():
    """Parquet with typed columns: dates as Parquet DATE, sex as an integer."""
    table = pa.table({
        "死亡证编号": ["D2020001", "D2020002"],
        "姓名": ["孙桂兰", "李建国"],
        "身份证号": [citizen_id("320102", "19360214", 2), ID["P05"]],
        "性别": pa.array([2, 1], pa.int8()),
        "出生日期": pa.array([dt.date(1936, 2, 14), dt.date(1955, 1, 1)], pa.date32()),
        "死亡日期": pa.array([dt.date(2020, 3, 2), dt.date(2020, 11, 5)], pa.date32()),
        "户籍地代码": pa.array([320102001, 320102002], pa.int64()),
    })
    pq.write_table(table, os.path.join(HERE, "death.parquet"))


def write_school():
    """Arrow IPC file: student numbers with G/J/L prefixes, birth year and month in two columns."""
    table = pa.table({
        "学籍号": ["G" + ID["P03"], "G" + ID["P11"], "J" + ID["P12"], "L32010220130506" + "4821"],
        "姓名": ["张子涵", "赵一诺", "周宇轩", "钱多多"],
        "性别": ["女", "女", "男", "男"],
        "出生年": pa.array([2015, 2012, 2009, 2013], pa.int32()),
        "出生月": pa.array([8, 1, 3, 5], pa.int32()),
        "学校名称": ["玄武区长江路小学", "玄武区长江路小学", "南京市第十三中学", "玄武区长江路小学"],
    })
    feather.write_feather(table, os.path.join(HERE, "school.arrow"), compression="uncompressed")


def write_insurance():
    """GB18030 CSV with the ordinary damage: an ID mangled by Excel, full-width digits, spaces."""
    header = "参保人编号,姓名,证件号码,性别,出生日期,参保地代码,备注"
    rows = []
    for i, (key, name, sex, born, _, eth, region) in enumerate(PEOPLE):
        id_text = ID[key]
        if key == "P04":
            id_text = "3.20102E+17"
        elif key == "P07":
            id_text = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in id_text)
        elif key == "P09":
            id_text = id_text[:6] + " " + id_text[6:14] + " " + id_text[14:]
        rows.append([f"Y{i + 1:05d}", name, id_text, "M" if sex == 1 else "F", f"{born[:4]}-{born[4:6]}-{born[6:]}", region[:6], "无"])
    rows.append(["Y00099", "", "", "F", "无", "320102", "无"])
    with open(os.path.join(HERE, "insurance.csv"), "w", encoding="gb18030", newline="") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


if __name__ == "__main__":
    write_census()
    write_hukou()
    write_birth()
    write_death()
    write_school()
    write_insurance()
