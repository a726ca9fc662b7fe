-- One row per customer, as the CRM exported it; emails normalised to lower case.
select
    customer_id,
    first_name,
    last_name,
    lower(trim(email)) as email,
    signed_up_at
from {{ ref('raw_customers') }}
