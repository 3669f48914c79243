"""Constants of the loaders: title aliases, header aliases, units and vocabularies.

Everything a new city's layout may need to be taught lives here, as data. Patterns are matched
against *normalised* text (see :func:`loaders.text.compact`): spaces removed, full-width brackets
and digits folded to half-width.
"""

from __future__ import annotations

import re
from decimal import Decimal

PARSER_VERSION = "1.0.0"

# ---------------------------------------------------------------- units
UNIT_FACTORS: dict[str, Decimal] = {
    "万元": Decimal(1),
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "亿元": Decimal(10000),
}
UNIT_LINE = re.compile(r"^[(（]?(?:金额)?单位[:：]\s*(万元|千元|亿元|元)\s*[)）]?$")
# the unit printed anywhere in a table's head: its own line, beside the department, in a cell
UNIT_IN_TEXT = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|千元|亿元|元)(?![\u4e00-\u9fff])")
# who the document or table is for; a unit printed on the same line is not part of the name
DEPARTMENT_LINE = re.compile(
    r"^(?P<label>预算主管部门|主管部门|预算单位|编制部门|编制单位|部门名称|单位名称|单位|部门)"
    r"\s*[:：]\s*(?P<name>[^\s:：].*?)\s*(?:(?:金额)?单位\s*[:：].*)?$"
)
# a department label printed with nothing after it ("单位名称：")
EMPTY_LABEL_LINE = re.compile(
    r"^(?:预算主管部门|主管部门|预算单位|编制部门|编制单位|部门名称|单位名称)[:：]?$"
)
# labels that name one budget unit (单位预算) rather than a department's consolidated budget
UNIT_LEVEL_LABELS = ("预算单位", "编制单位", "单位名称")

# ---------------------------------------------------------------- source formats
# what a reader made of the file (documents.source_format): a PDF's text layer, or the text
# dialect of a converter (loaders.text: tab-separated; loaders.spaced: the others)
SOURCE_FORMATS = ("pdf", "tsv", "spaced", "fixed_width", "cell_per_line")

# ---------------------------------------------------------------- document identity
DISCLOSURE_KINDS = {"budget": ("预算",), "final_accounts": ("决算",)}
# department names end with one of these organisation suffixes (longest first)
DEPARTMENT_SUFFIXES = ("管理中心", "中心", "委员会", "办公室", "局", "厅", "院", "所", "站", "馆")
CITY_SUFFIXES = ("市", "州", "盟", "地区", "县", "区")

# a converter's page-break marker line (pdf-parse: -- PAGE_BREAK --, -- 3 of 20 --)
PAGE_MARKER = re.compile(r"^--\s*(?:PAGE_BREAK|\d+\s+of\s+\d+)\s*--\s*$")

# ---------------------------------------------------------------- table families
# A family is recognised by what its title says, not by one exact phrase: rules are tried in
# order on the compact title (number, year and markup removed), first match wins. Each rule:
# (family, pattern the title must match, pattern it must not match). The scope comes from the
# title's scope words (SCOPE_WORDS), all_funds where it names none.
TITLE_RULES: list[tuple[str, str, str | None]] = [
    ("performance", r"绩效", None),
    ("three_public", r"三公", None),
    ("operating_cost", r"机关运行经费", None),
    ("transfer_payment", r"转移支付", None),
    # recognised, not typed: procurement, purchased services, pie-chart captions, lists of tables
    ("procurement", r"政府采购", None),
    ("purchased_services", r"购买服务", None),
    ("chart", r"构成表$|构成图$", None),
    ("contents", r"目录$|(?:部门|单位)(?:预算|决算)(?:报)?表$|(?:预算|决算)公开表$", None),
    # two-sided tables: revenue | expenditure (政府性基金收支表 reads like a 收支总表)
    ("government_fund_summary", r"政府性基金.*(?:收支|收入支出)", None),
    ("state_capital", r"国有资本经营.*(?:收支|收入支出)", None),
    ("fiscal_summary", r"财政拨款.*(?:收支|收入支出)", None),
    ("summary", r"收支|收入支出", None),
    ("government_fund_revenue", r"政府性基金.*收入", None),
    # basic expenditure by economic classification, or by function classification
    ("basic_by_economic", r"基本支出", r"功能分类"),
    ("basic_by_function", r"基本支出", None),
    ("projects", r"项目支出|专项业务经费|上年结转(?:资金|结余情况明细|情况)?|结转资金", None),
    ("economic_summary", r"经济分类", None),
    ("revenue", r"收入", None),
    ("expenditure_by_function", r"支出", None),
]
# the budget scope a title names, first match wins; all_funds where it names none. 财政拨款
# without a narrower word is every fiscal appropriation (一般公共预算 + 政府性基金 + 国有资本经营).
SCOPE_WORDS: list[tuple[str, str]] = [
    (r"一般公共预算", "general_public_budget"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"财政拨款", "fiscal_appropriation"),
]
BUDGET_SCOPES = ("all_funds", *dict.fromkeys(v for _, v in SCOPE_WORDS))
FISCAL_SCOPE = "fiscal_appropriation"
# families whose rows are split by budget scope (the others carry their scope in measures)
SCOPED_FAMILIES = ("expenditure_by_function", "basic_by_function")
# families whose amounts land in typed datasets
TYPED_FAMILIES = (
    "summary",
    "fiscal_summary",
    "government_fund_summary",
    "revenue",
    "expenditure_by_function",
    "basic_by_function",
    "basic_by_economic",
    "economic_summary",
    "three_public",
    "projects",
    "operating_cost",
)
# families whose tables may print their columns as groups side by side (code | name | 决算数
# twice): each group is read as a table of its own (loaders.interpret._column_groups)
COLUMN_GROUP_FAMILIES = ("basic_by_economic", "economic_summary")
# families printed as forms (a 绩效目标表 per project) whose cell text may spill out of the grid
FORM_FAMILIES = ("performance",)

# the words of a final-accounts column that prints a budget figure, not the actual (决算数): such
# a table is kept in cells, unless its family reads the basis of each column (BASIS_FAMILIES)
BUDGET_BASIS_WORDS = re.compile(r"预算数|年初预算|调整预算|全年预算")
# amount_basis: what a printed amount is, from its column's header (first match wins); a column
# naming none is the document's own basis (KIND_BASIS: a budget's budget, a 决算's actual)
AMOUNT_BASES = ("budget", "adjusted_budget", "final")
AMOUNT_BASIS_WORDS: list[tuple[str, str]] = [
    (r"调整预算|调整后预算", "adjusted_budget"),
    (r"预算", "budget"),
    (r"决算|执行数", "final"),
]
KIND_BASIS = {"budget": "budget", "final_accounts": "final"}
# families whose landed rows carry amount_basis, so a 决算 table printing 预算数 beside 决算数 is
# typed column by column (DESIGN: the 三公 table prints both for every category)
BASIS_FAMILIES = ("three_public",)

# ---------------------------------------------------------------- form values (loaders.forms)
# Families whose tables are forms or free lists rather than a classification: every number they
# print lands in ``form_values`` with the labels printed beside and above it.
FORM_VALUE_FAMILIES = ("performance", "procurement", "purchased_services")
# a row without numbers is a header (of the whole table or of a section inside it) if one of its
# cells names a column of values: it ends with the word (数量指标 is an indicator's class, not a
# column); the short text rows under its spans continue that header
FORM_HEADER_WORD = re.compile(
    r"(?:指标值|目标值|金额|资金|总额|预算数|数量|分值|权重|度量单位|计量单位)(?:\([^)]*\))?[:：]?$"
)
FORM_HEADER_CELL_CHARS = 20
FORM_HEADER_CONTINUATION_CHARS = 10
FORM_HEADER_MAX_ROWS = 4
# what a value is, from its column label, first match wins; a column naming none of these holds
# money where its label or the row's label says so (FORM_MONEY_WORDS), else it is not read
FORM_VALUE_KINDS: list[tuple[str, str]] = [
    (r"指标值|目标值|完成值", "indicator"),
    (r"分值|权重|赋分", "weight"),
    (r"数量|个数", "quantity"),
    (r"备注|说明", "remark"),
]
FORM_AMOUNT_KIND = "amount"
FORM_VALUE_KIND_VALUES = (FORM_AMOUNT_KIND, *dict.fromkeys(k for _, k in FORM_VALUE_KINDS))
FORM_MONEY_WORDS = re.compile(r"金额|资金|总额|预算|拨款|经费|合计|总计|财政|支出|费用")
# a column of codes (科目编码, 单位编码, 类 / 款 / 项): its numbers are labels, not values
FORM_CODE_COLUMN = re.compile(r"(?:编码|代码)|(?:^|/)(?:类|款|项)$")
# a key whose value is an identifier, not a quantity (单位编码 | 060001, 填报日期: | 20231107…)
FORM_IDENTIFIER_KEY = re.compile(r"(?:编码|代码|编号|电话|号码|日期|时间)[:：]?$")
# the column that prints an indicator's unit of measure (个, %, 万元)
FORM_MEASURE_UNIT_COLUMN = re.compile(r"度量单位|计量单位")
# a key cell whose value (the next text cell of the row) is the subject of the rows below it, and
# a column whose cells are (项目名称 before 单位名称); matched on the folded text
FORM_SUBJECT_KEY = re.compile(r"^(?:项目|转移支付|部门|单位|部门\(单位\))名称")
FORM_SUBJECT_COLUMNS = (re.compile(r"项目.*名称|名称.*项目"), re.compile(r"名称"))
# a unit printed inside a label: 项目资金（元）, 总体资金情况（万元）, 资金总额(万元)
UNIT_IN_LABEL = re.compile(r"[(（]\s*(万元|千元|亿元|元)\s*[)）]")
# every family a title can name, typed or not, and the two kinds of table without a family
FAMILIES = tuple(dict.fromkeys([*(f for f, _, _ in TITLE_RULES), *TYPED_FAMILIES])) + (
    "narrative_table",
    "unrecognised",
)
# the two-sided families (revenue | expenditure), read by the summary parser, by table kind
SUMMARY_KINDS = {
    "summary": "department_summary",
    "fiscal_summary": "fiscal_summary",
    "government_fund_summary": "government_fund_summary",
}
CARRYOVER_TITLE = re.compile(r"上年结转")
# words of a title that say what a table leaves out ("(不含上年结转)"): not matched
TITLE_EXCLUSION = re.compile(r"[-—、,，]?不含[^()（）]*")
# title qualifiers in brackets that do not change the family
TITLE_QUALIFIER = re.compile(r"[(（][^()（）]*[)）]$")
# a text line is a table title if, once normalised, it ends like this
TITLE_LINE = re.compile(r"(表|情况表)([(（][^()（）]{1,20}[)）])?$")
# a list of the document's tables: 目录, or the document's own words before it (预算公开目录);
# a header's 指导性目录 (the catalogue a column follows) is not one
TOC_TITLE = re.compile(r"^(?:.{0,16}(?:预算|决算|公开|报表))?目录$")
TITLE_PREFIX = re.compile(
    r"^(?:#+|\*+|<b>|[-–•·]\s*)*\s*"
    r"(?:(?:预算公开|部门公开)?表\s*[0-9一二三四五六七八九十]+\s*)?"
    r"(?:[一二三四五六七八九十]+[、.．]\s*)?"
)
YEAR_PREFIX = re.compile(r"^(?:19|20)\d{2}\s*年(?:度)?")
# lines between two parts of a page-broken table, or between a title and its header
TABLE_META_LINE = re.compile(
    r"^(?:[(（]\s*(?:19|20)\d{2}\s*年(?:度)?\s*[)）]\**|(?:预算公开|部门公开)?表\s*\d+|"
    r"(?:预算公开|部门公开)表\s*[0-9一二三四五六七八九十]+|"
    # a page number printed at a page break ("12", "- 3 -", "第3页", "3/40")
    r"[-—–]*\d{1,3}[-—–]*|第\d{1,3}页(?:共\d{1,3}页)?|\d{1,3}/\d{1,3})$"
)
EMPTY_TABLE_NOTE = re.compile(r"本表无数据|为空表|无数据|没有使用.*(安排|预算)")
# a note printed under (or inside the frame of) a table: 注：…, 说明：…, 备注：…
NOTE_LINE = re.compile(r"^(?:注|说明|备注)[:：]")
# an entry of a table of contents: its numbering (表一, 表 3, 一、, （一）, 1., 4．, 1、), the
# title, maybe a leader (....., ……, ·····) and a page number
TOC_LINE = re.compile(
    r"^(?:[-–•·]\s*)?(?P<ordinal>表\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．:：]?|[一二三四五六七八九十]+\s*[、.．]|"
    r"[(（]\s*[一二三四五六七八九十]+\s*[)）]|\d{1,2}\s*[、.．](?!\d))\s*(?P<title>.+?)"
    r"(?:(?:\.{3,}|…+|·{3,}).*)?$"
)
DOT_LEADER = re.compile(r"\.{4,}|…{2,}|·{4,}")

# ---------------------------------------------------------------- cells
CJK = re.compile(r"[\u4e00-\u9fff]")
AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
FUNCTION_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
CODE_PART = re.compile(r"^\d{2,3}$")
# a code glued to its name, maybe with a hyphen between (2010506统计管理, 2010601-行政运行)
GLUED_CODE = re.compile(r"^(?P<code>\d{3}(?:\d{2}){0,2})\s*[-—－]?\s*(?P<name>[^\d\s\-—－].*)$")
MARKER_CELL = re.compile(r"^(?:\*+|※+|栏次|[-—]+)$")
TOTAL_LABEL = re.compile(r"^(?:合计|总计|共计|部门合计|收入合计|支出合计|收入总计|支出总计)[:：]?$")
# the total row of one group of columns printed side by side (人员经费合计 under the 人员经费
# classes, 公用经费合计 under the 公用经费 classes of the 决算 basic-expenditure table)
GROUP_TOTAL_LABEL = re.compile(r"^(?:人员经费|公用经费|人员支出|公用支出)(?:合计|总计)[:：]?$")
CHINESE_ORDINAL = re.compile(
    r"^\s*(?P<ordinal>[(（]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|"
    r"\d+\s*[、.．](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])\s*"
)
SUB_ITEM_PREFIX = re.compile(r"^其中\s*[:：]\s*")

# ---------------------------------------------------------------- header → measure
# Rules are tried in order on the compact header path of one amount column ("/"-joined, top to
# leaf). Each rule: (family set or "*", regex on the path, measure).
_PERSONNEL = r"(人员经费|人员支出|人员类)"
_PUBLIC = r"(公用经费|公用支出|公用类)"
FUNCTION_MEASURES: list[tuple[str, str]] = [
    (r"^非财政拨款.*基本", "nonfiscal_basic"),
    (r"^非财政拨款.*项目", "nonfiscal_project"),
    (r"^非财政拨款", "nonfiscal_total"),
    (r"^财政拨款.*基本", "fiscal_basic"),
    (r"^财政拨款.*项目", "fiscal_project"),
    (r"^财政拨款", "fiscal_total"),
    (_PERSONNEL + r".*工资福利", "basic_personnel_wages"),
    (_PERSONNEL + r".*对个人和家庭", "basic_personnel_households"),
    (_PUBLIC + r".*商品和服务", "basic_public_goods_services"),
    (_PUBLIC + r".*资本性", "basic_public_capital"),
    (_PERSONNEL, "basic_personnel"),
    (_PUBLIC, "basic_public"),
    (r"基本支出.*工资福利", "basic_personnel_wages"),
    (r"基本支出.*对个人和家庭", "basic_personnel_households"),
    (r"基本支出/?(小计)?$|^基本支出", "basic"),
    (r"其他运转类", "project_other_operation"),
    (r"特定目标类", "project_specific_target"),
    # 西安: project expenditure is called 专项业务经费支出
    (r"专项业务经费", "project"),
    (r"一般性项目", "project_general"),
    (r"专项资金", "project_special_fund"),
    (r"项目支出", "project"),
    # columns of 支出总表 that are neither basic nor project expenditure
    (r"经营支出", "operating_expenditure"),
    # 支出总表 columns of government procurement within the row's total (a memo, not a part)
    (r"政府采购项目?(/小计)?$", "procurement"),
    # 支出总表 printed by funding source (部门预算/公共预算拨款 | 政府性基金拨款 | 事业收入 …)
    (r"公共预算拨款(/小计)?$", "gpb"),
    (r"政府性基金拨款$", "government_fund"),
    (r"事业单位经营收入$", "operating_income"),
    (r"(^|/)事业收入$", "business_income"),
    (r"附属单位上缴收入$", "subordinate_remit"),
    (r"实户资金余额$", "account_balance"),
    (r"(^|/)其他收入$", "other_income"),
    (r"(^|/)上年结转$", "carryover"),
    (r"上缴上级", "remit_to_superior"),
    (r"对(附属|下级)单位补助", "subsidy_to_subordinate"),
    (r"合计|总计|预算数|决算数|支出预算|支出$", "total"),
]
# a table of basic expenditure by function: its 合计 is the basic expenditure
BASIC_FUNCTION_MEASURES: list[tuple[str, str]] = [
    *((p, m) for p, m in FUNCTION_MEASURES if m.startswith("basic")),
    (r"合计|总计|小计|预算数|决算数|支出$", "basic"),
]
ECONOMIC_MEASURES: list[tuple[str, str]] = [
    (_PERSONNEL, "personnel"),
    (_PUBLIC, "public"),
    (r"一般公共预算.*(其中)?财政拨款", "gpb_fiscal"),
    # the 财政拨款 subtotal of a table that splits it by scope (财政拨款/小计 | …/一般公共预算拨款)
    (r"^财政拨款(/小计)?$", "fiscal_total"),
    (r"一般公共预算(拨款)?(/小计)?$|一般公共预算/小计", "gpb"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"上年结转", "carryover"),
    (r"财政专户", "special_account"),
    (r"事业单位经营", "operating_income"),
    (r"事业收入", "business_income"),
    (r"上级补助", "superior_subsidy"),
    (r"附属单位", "subordinate_remit"),
    (r"其他收入", "other_income"),
    # 支出经济分类汇总表 printed by kind of expenditure (合计 | 基本支出 | 项目支出)
    (r"(^|/)基本支出$", "basic"),
    (r"(^|/)(项目支出|专项业务经费支出)$", "project"),
    (r"合计|总计|预算数|决算数", "total"),
]
# the basic-expenditure table of some cities breaks basic expenditure down by revenue source
ECONOMIC_SOURCE_COLUMNS = re.compile(
    r"财政拨款|行政事业性收费|专项收入|有偿使用收入|国有资本经营收入|政府住房基金收入|债务收入|"
    r"其他一般公共预算收入|上级预拨|预算稳定调节基金|调入资金|上年结余"
)
REVENUE_MEASURES: list[tuple[str, str]] = [
    (r"(上年结转|结转结余).*一般公共预算", "carryover_gpb"),
    (r"(上年结转|结转结余).*政府性基金", "carryover_government_fund"),
    (r"(上年结转|结转结余).*国有资本", "carryover_state_capital"),
    (r"(上年结转|结转结余).*财政专户", "carryover_special_account"),
    (r"(上年结转|结转结余).*单位资金", "carryover_unit_funds"),
    (r"非财政拨款结转", "carryover_nonfiscal"),
    (r"财政拨款结转", "carryover_fiscal"),
    (r"使用非财政拨款结余", "nonfiscal_balance_used"),
    (r"用事业基金弥补", "business_fund_offset"),
    (r"实户资金余额", "account_balance"),
    (r"上年结转|结转结余|上年结余", "carryover_total"),
    (r"上级一般公共预算安排", "gpb_transfer"),
    (r"上级政府性基金安排", "government_fund_transfer"),
    (r"上级国有资本经营预算安排", "state_capital_transfer"),
    (r"一般公共预算.*其中.*财政拨款", "gpb_fiscal"),
    (r"一般公共预算", "gpb"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"财政拨款.*小计|财政拨款[(（]补助[)）]$|财政拨款收入$|财政拨款/金额$", "fiscal_total"),
    (r"财政专户", "special_account"),
    (r"事业单位经营", "operating_income"),
    (r"事业收入", "business_income"),
    (r"上级补助", "superior_subsidy"),
    (r"附属单位", "subordinate_remit"),
    (r"其他收入", "other_income"),
    (r"单位资金", "unit_funds"),
    (r"本年收入/?(合计|小计)?$", "current_total"),
    (r"合计|总计", "total"),
]
SUMMARY_MEASURES: list[tuple[str, str]] = [
    (r"一般公共预算.*其中.*财政拨", "gpb_fiscal"),
    (r"一般公共预算", "gpb"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"上年结转", "carryover"),
    (r"当年|本年", "current_year"),
    # an expenditure side printed by kind of expenditure (合计 | 人员经费 | 公用经费 | 项目支出)
    (_PERSONNEL, "personnel"),
    (_PUBLIC, "public"),
    (r"项目支出", "project"),
    (r"基本支出", "basic"),
    (r"合计|小计", "total"),
    (r"金额|预算数|决算数|\d{4}年$", "amount"),
]
# further label/amount pairs of a 收支总表's expenditure side, by their label header: the same
# expenditure listed by economic class (西安: 部门预算支出经济分类科目 | 政府预算支出经济分类科目).
# Their rows are not function classes; they restate the expenditure side's total.
SUMMARY_EXTRA_PAIRS: list[tuple[str, str]] = [
    (r"部门.*经济分类", "dept_economic_amount"),
    (r"政府.*经济分类", "gov_economic_amount"),
]
SUMMARY_EXTRA_MEASURES = frozenset(m for _, m in SUMMARY_EXTRA_PAIRS)
THREE_PUBLIC_MEASURES: list[tuple[str, str]] = [
    (r"一般公共预算", "gpb"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"合计|预算数|金额|\d{4}", "amount"),
]
PROJECT_MEASURES: list[tuple[str, str]] = [
    (r"结转.*一般公共预算", "carryover_gpb"),
    (r"结转.*政府性基金", "carryover_government_fund"),
    (r"结转.*国有资本", "carryover_state_capital"),
    (r"^非财政拨款.*人员", "nonfiscal_basic_personnel"),
    (r"^非财政拨款.*公用", "nonfiscal_basic_public"),
    (r"^非财政拨款.*项目支出", "nonfiscal_project"),
    (r"^非财政拨款.*基本", "nonfiscal_basic"),
    (r"^非财政拨款", "nonfiscal_total"),
    (r"^财政拨款.*人员", "fiscal_basic_personnel"),
    (r"^财政拨款.*公用", "fiscal_basic_public"),
    (r"^财政拨款.*项目支出", "fiscal_project"),
    (r"^财政拨款.*基本", "fiscal_basic"),
    # 财政拨款 split by scope (财政拨款收入/一般公共预算) is that scope, not the fiscal total
    (r"^财政拨款(?!.*(一般公共预算|政府性基金|国有资本))", "fiscal_total"),
    (r"一般公共预算", "gpb"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"财政专户", "special_account"),
    # 单位资金 split by source
    (r"事业单位经营", "operating_income"),
    (r"事业收入", "business_income"),
    (r"上级补助", "superior_subsidy"),
    (r"附属单位上缴", "subordinate_remit"),
    (r"其他收入", "other_income"),
    (r"上年结余|上年结转|结余、?结转", "carryover_total"),
    (r"单位资金", "unit_funds"),
    (r"工资福利", "econ_301"),
    (r"商品(和)?服务", "econ_302"),
    (r"对个人和家庭", "econ_303"),
    (r"债务利息", "econ_307"),
    (r"资本性支出[(（]基本建设[)）]", "econ_309"),
    (r"资本性支出", "econ_310"),
    (r"对企业补助[(（]基本建设[)）]", "econ_311"),
    (r"对企业补助", "econ_312"),
    (r"对社会保障基金补助", "econ_313"),
    (r"其他支出", "econ_399"),
    (r"合计|总计|金额|预算数", "total"),
]
OPERATING_COST_MEASURES: list[tuple[str, str]] = [
    (r"一般公共预算", "gpb"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"合计|预算数|金额", "total"),
]
MEASURE_RULES: dict[str, list[tuple[str, str]]] = {
    "expenditure_by_function": FUNCTION_MEASURES,
    "basic_by_economic": ECONOMIC_MEASURES,
    "economic_summary": ECONOMIC_MEASURES,
    "revenue": REVENUE_MEASURES,
    "basic_by_function": BASIC_FUNCTION_MEASURES,
    "summary": SUMMARY_MEASURES,
    "fiscal_summary": SUMMARY_MEASURES,
    "government_fund_summary": SUMMARY_MEASURES,
    "three_public": THREE_PUBLIC_MEASURES,
    "projects": PROJECT_MEASURES,
    "operating_cost": OPERATING_COST_MEASURES,
}
# a header cell of an "of which" column (a part of the column before it): 其中：…, or the
# column net of something (扣除基建项目后预算数)
OF_WHICH = re.compile(r"^其中[:：]?|^扣除.+后")
# the families whose "of which" columns land, as this measure (measure_header says a part of
# what); no derived total adds it in, and fct_revenue_by_source files it as a sub-item
OF_WHICH_MEASURE = "of_which"
OF_WHICH_FAMILIES = frozenset(
    {"expenditure_by_function", "basic_by_economic", "economic_summary", "revenue", "projects"}
)
# header cells that name label (non-amount) columns
LABEL_HEADER = re.compile(
    r"编码|代码|编号|^类$|^款$|^项$|名称|^项目$|^项\s*目$|科目|类型|单位$|资金性质|内容|^收入$|^支出$"
)

# Header layouts garbled by PDF conversion (cells shifted left or right). Keyed by the compact
# header text ("|" between rows, "," between cells, trailing empties dropped); value: the
# measure of each amount column, left to right. Add a layout here when the coverage report
# shows a table whose header path does not map.
HEADER_OVERRIDES: dict[str, list[str]] = {
    # 部门支出预算表 with 人员经费/公用经费 split in two sub-columns each; the third header row is
    # shifted four columns left and 项目支出 one column left.
    "科目编码,,,单位代码,单位(科目名称),合计,基本支出,,,,项目支出|,,,,,,小计,人员经费,,公用经费,,小计,"
    "其他运转类,特定目标类|类,款,项,工资福利支出,对个人和家庭的补助,商品和服务支出,,资本性支出": [
        "total",
        "basic",
        "basic_personnel_wages",
        "basic_personnel_households",
        "basic_public_goods_services",
        "basic_public_capital",
        "project",
        "project_other_operation",
        "project_specific_target",
    ],
    "科目编码,,,单位代码,单位(科目名称),合计,基本支出,,,,项目支出|,,,,,,小计,人员经费,,公用经费,,小计,"
    "其他运转类,特定目标类|类,款,项,合计,工资福利支出,对个人和家庭补助,,商品和服务支出,资本性支出": [
        "total",
        "basic",
        "basic_personnel_wages",
        "basic_personnel_households",
        "basic_public_goods_services",
        "basic_public_capital",
        "project",
        "project_other_operation",
        "project_specific_target",
    ],
    "科目编码,,,单位代码,单位(科目名称),合计,基本支出,,,,项目支出|,,,,,,小计,人员经费,,公用经费,,小计,"
    "其他运转类|类,款,项,工资福利支出,对个人和家庭的补助,商品和服务支出,,资本性支出": [
        "total",
        "basic",
        "basic_personnel_wages",
        "basic_personnel_households",
        "basic_public_goods_services",
        "basic_public_capital",
        "project",
        "project_other_operation",
    ],
    # 支出经济分类汇总表: the government-code block prints an extra empty cell, shifting 总计 and
    # everything after it.
    "部门预算经济分类,,,政府预算经济分类,,总计,一般公共预算,,政府性基金,国有资本经营预算,上年结转结余,"
    "财政专户管理资金收入,事业收入,上级补助收入,附属单位上缴收入,事业单位经营收入,其他收入|类,款,科目名称,"
    "类,款,,科目名称,小计,,,,,,,,,,其中:财政拨款": [
        "total",
        "gpb",
        "gpb_fiscal",
        "government_fund",
        "state_capital",
        "carryover",
        "special_account",
        "business_income",
        "superior_subsidy",
        "subordinate_remit",
        "operating_income",
        "other_income",
    ],
    # 部门收入总体情况表: the 财政拨款（补助） block has seven sub-columns but the first header row
    # spans six, and the seventh sub-column header is printed at the far right.
    "功能分类科目编码,,,功能分类科目名称,总计,财政拨款(补助),,,,,,财政专户(教育收费),单位资金,财政拨款结转,"
    "非财政拨款结转结余|类,款,项,,,财政拨款(补助)小计,一般公共预算,上级一般公共预算安排的转移支付,"
    "政府性基金预算,上级政府性基金安排的转移支付,国有资本经营预算,,,,,上级国有资本经营预算安排的转移支付"
    "|※,※,※,※,1,2,3,4,5,6,7,8,9,10,11,12": [
        "total",
        "fiscal_total",
        "gpb",
        "gpb_transfer",
        "government_fund",
        "government_fund_transfer",
        "state_capital",
        "state_capital_transfer",
        "special_account",
        "unit_funds",
        "carryover_fiscal",
        "carryover_nonfiscal",
    ],
}

# a column of last year's figures or of the change against them, not of the document's year
CHANGE_COLUMN = re.compile(r"增减|变化|变动|比上年|上年(?:预算|决算|执行)?数|上年同期|同比|增长率")
OTHER_YEAR_HINT = re.compile(r"\d{4}|增|变|上年|同比")

# ---------------------------------------------------------------- three public costs
NOT_THREE_PUBLIC = "not_three_public"
# costs some templates print beside the 三公 categories (会议费, 培训费): not 三公, they land as
# their own categories, and a 合计 over the 三公 and them as OTHER_COSTS_TOTAL (no 三公 total)
OTHER_COST_HEADER = re.compile(r"会议费|培训费")
OTHER_COSTS_TOTAL = "total_with_other_costs"
# the funding scopes a wide 三公 table may split each category by (measures of the scope columns)
THREE_PUBLIC_SCOPES = frozenset({"gpb", "government_fund", "state_capital"})
# a row label naming a year (2026年, 2026年预算数) or a change (增减变化金额)
YEAR_ROW_LABEL = re.compile(r"^(?:((?:19|20)\d{2})年(?:预算)?数?|增减.*|变化.*|比上年.*)$")
# a 三公 column headed only 小计/合计 takes its category from the header above it
GENERIC_TOTAL_HEADER = re.compile(r"^(?:小计|合计|总计|共计)$")
VEHICLE_HEADER = re.compile(r"购置|运行|用车")
THREE_PUBLIC_CATEGORIES: list[tuple[str, str]] = [
    # a 机关运行经费 column printed beside the 三公 columns is no 三公 category (its "运行" is
    # not vehicle operation): kept in cells only
    (r"机关运行经费", NOT_THREE_PUBLIC),
    (r"会议费$", "meeting"),
    (r"培训费$", "training"),
    (r"三公.*(?:合计|总额|总计)|^合计$|^共计$|^总计$", "total"),
    (r"出国", "outbound_travel"),
    (r"接待", "official_reception"),
    (r"购置及运行|用车费|小计", "vehicle_total"),
    (r"购置", "vehicle_purchase"),
    (r"运行", "vehicle_operation"),
]

THREE_PUBLIC_CATEGORY_VALUES = tuple(
    dict.fromkeys(
        [*(c for _, c in THREE_PUBLIC_CATEGORIES if c != NOT_THREE_PUBLIC), OTHER_COSTS_TOTAL]
    )
)

# ---------------------------------------------------------------- summary tables
SUMMARY_ROW_ROLES: list[tuple[str, str]] = [
    (r"^(收入|支出)?总计$", "total"),
    (r"^本年(收入|支出)合计$", "subtotal"),
    (r"^(收入|支出)?合计$", "total"),
    (r"^年终结转|^结转下年|^年末结转", "year_end"),
    (r"^年初结转|上年(财政拨款)?结转|上年结余", "carryover"),
    (r"^其中", "sub_item"),
]
PROJECT_CATEGORIES = re.compile(r"^(特定目标类|其他运转类|一般性项目|专项资金|部门专项|发展经费)$")
