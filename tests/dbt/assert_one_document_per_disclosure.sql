-- A disclosure (department × year × kind × level) is one complete document, or its parts (the
-- narrative and the tables published as two files). A complete document beside a part of the
-- same disclosure is two different disclosures of one key: every total would count it twice.
-- (Two documents of the same part already fail dim_document's unique constraint.)

select
    department_id,
    fiscal_year,
    disclosure_kind,
    disclosure_level,
    count(*) as n_documents,
    string_agg(source_file, ' | ' order by source_file) as source_files
from {{ ref('dim_document') }}
group by department_id, fiscal_year, disclosure_kind, disclosure_level
having count(*) filter (where disclosure_part = 'complete') >= 1 and count(*) > 1
