{#-
    Map a printed revenue label (收入 side of 收支总表 / 财政拨款收支总表; whitespace ignored) to the revenue-source
    vocabulary used by the loader for 收入总表 columns. Returns null for labels that are not a
    revenue source (totals, blank lines). Order matters: more specific phrases first.
-#}
{% macro revenue_source_from_label(label_expr) -%}
    {%- set label = "regexp_replace(coalesce(" ~ label_expr ~ ", ''), '\\s+', '', 'g')" -%}
    case
        when {{ label }} like '%上年结转%' or {{ label }} like '%上年结余%' then 'carryover_total'
        when {{ label }} like '%用事业基金弥补%' then 'business_fund_offset'
        when {{ label }} like '%使用非财政拨款结余%' then 'nonfiscal_balance_used'
        when {{ label }} like '%实户资金余额%' then 'account_balance'
        when {{ label }} like '%一般公共预算%' then 'gpb'
        when {{ label }} like '%政府性基金%' or {{ label }} like '%基金预算%' then 'government_fund'
        when {{ label }} like '%国有资本经营%' then 'state_capital'
        when {{ label }} like '%财政专户%' then 'special_account'
        when {{ label }} like '%事业单位经营%' then 'operating_income'
        when {{ label }} like '%事业收入%' then 'business_income'
        when {{ label }} like '%上级补助%' then 'superior_subsidy'
        when {{ label }} like '%附属单位上缴%' then 'subordinate_remit'
        when {{ label }} like '%单位资金%' then 'unit_funds'
        when {{ label }} like '%其他收入%' then 'other_income'
    end
{%- endmacro %}
