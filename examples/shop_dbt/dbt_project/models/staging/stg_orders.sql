-- Orders as loaded, typed and normalised. Nothing is filtered here: what the loads got wrong
-- reaches the marts, where dq's checks look for it.
select
    order_id,
    customer_id,
    ordered_at,
    cast(ordered_at as date) as order_date,
    lower(trim(status)) as status,
    amount
from {{ ref('raw_orders') }}
