{#
  Incremental builds by document. Every row of an intermediate model belongs to one landed
  document (document_id = sha256 of its text), and a document's rows never change: new content
  is a new document. So an incremental run only has to
    - build the rows of documents the model does not hold yet (documents_to_build), and
    - delete the rows of documents that are no longer landed (delete_documents_no_longer_landed).
  The rebuild copies the live warehouse and runs dbt on the copy; a change to the project itself
  (models, macros, seeds, loaders) makes it build a fresh file instead, where nothing is
  incremental. tests/test_rebuild.py checks that both ways give the same warehouse.
#}

{% macro documents_to_build(relation) -%}
    {#- every incremental model calls this when dbt parses it: the ref records the dependency
        that delete_documents_no_longer_landed needs -#}
    {%- set landed_documents = ref('stg_landed__documents') -%}
    {%- if is_incremental() -%}
        (
            select * from {{ relation }}
            where document_id not in (select built.document_id from {{ this }} as built)
        ) as {{ relation.identifier }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro delete_documents_no_longer_landed() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where document_id not in (
            select landed.document_id from {{ ref('stg_landed__documents') }} as landed
        )
    {%- endif -%}
{%- endmacro %}
