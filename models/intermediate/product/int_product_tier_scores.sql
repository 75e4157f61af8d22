{{ config(materialized='table') }}
{#-
  商品分层 heat / quality / service scores and levels per as_of_date × tiered
  product (spec 02 "Peer group" and "From indicators to levels").

  Peer group: the product's leaf category (level 3, or a level-2 leaf); when it
  has fewer than min_peer_group_size products with >= 1 paid order in W, one
  level up, until it reaches the size or level 1. The product is ranked in its
  chosen subtree against every ranked product of it, whatever group those chose
  for themselves (macro subtree_peer_scores: only chosen subtrees are ranked).

  Ranked in a dimension: heat needs >= 1 paid order; quality and service need
  not is_low_sample. An unranked product's indicator is NULL for ranking, so
  it is left out of its peers' N.
-#}

{{ product_tier_scores(ref('int_product_tier_indicators')) }}
