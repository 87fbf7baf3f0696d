-- Arms transfers to a country reported since a day (offers, sales, orders, deliveries; purchases with no supplier named), latest first.
-- param country COUNTRY : the recipient as typed: name, short form or demonym, any case (Taiwan, Ukrainian, POL)
-- param since DATE = 1900-01-01 : first publication day (UTC) to count; the default counts every report
-- Negated and denied reports are left out (see the arms_transfers view); quantity, value and status
-- are those of the latest report in the window that gives them.
SELECT supplier, supplier_name, weapon, quantity, value_amount, value_currency, status,
       first_reported, last_reported, articles
FROM arms_transfer_rows(since := $since)
WHERE recipient = $country
ORDER BY last_reported DESC, articles DESC, weapon, supplier;
