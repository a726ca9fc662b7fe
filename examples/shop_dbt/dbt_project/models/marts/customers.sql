-- The customers mart: every customer with their orders so far.
with order_totals as (
    select
        customer_id,
        count(*) as order_count,
        min(ordered_at) as first_ordered_at,
        sum(amount) as lifetime_value
    from {{ ref('stg_orders') }}
    group by customer_id
)

select
    c.customer_id,
    c.first_name,
    c.last_name,
    c.email,
    c.signed_up_at,
    coalesce(t.order_count, 0) as order_count,
    t.first_ordered_at,
    coalesce(t.lifetime_value, 0) as lifetime_value
from {{ ref('stg_customers') }} as c
left join order_totals as t using (customer_id)
