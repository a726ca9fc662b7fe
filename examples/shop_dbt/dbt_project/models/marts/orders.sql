-- The orders mart: one row per order (or so everyone downstream assumes), with the customer's
-- running order number.
select
    order_id,
    customer_id,
    ordered_at,
    order_date,
    status,
    amount,
    row_number() over (partition by customer_id order by ordered_at, order_id) as customer_order_number
from {{ ref('stg_orders') }}
