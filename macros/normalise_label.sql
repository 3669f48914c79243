{#-
    Normalise a printed Chinese label so that naming variants compare equal.

    normalise_name: removes all whitespace (ASCII and full-width), turns full-width
    brackets into half-width ones and drops a trailing 用 after 费 (其他交通费用 = 其他交通费).
    Used for economic classification names and department names.

    normalise_class_label: additionally strips a leading Chinese ordinal
    (二十一、 / （八） / (三十三) / 一. ), a leading numeric code (221 ), and a trailing 支出,
    so that 二十一、住房保障支出, （二十一）住房保障支出 and 221 住房保障 all become 住房保障.
-#}
{% macro normalise_name(expr) -%}
    regexp_replace(
        replace(replace(regexp_replace(coalesce({{ expr }}, ''), '[\s\x{3000}]+', '', 'g'), '（', '('), '）', ')'),
        '费用$', '费'
    )
{%- endmacro %}

{% macro normalise_class_label(expr) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                replace(replace(regexp_replace(coalesce({{ expr }}, ''), '[\s\x{3000}]+', '', 'g'), '（', '('), '）', ')'),
                '^(\([一二三四五六七八九十百零〇]+\)|[一二三四五六七八九十百零〇]+[、.．])', ''
            ),
            '^[0-9]+[、.．]?', ''
        ),
        '支出$', ''
    )
{%- endmacro %}
