-- The countries that operate a weapon: received, bought, deployed or used it, as reported, most articles first.
-- param weapon WEAPON : the weapon as typed: norm, designation or any alias, any case (Patriot, PAC-3, HIMARS)
-- Counts of reports that took place (see the weapon_activity view); hosting another country's
-- deployment, a planned purchase or a denied one makes no operator.
SELECT country, country_name, received, acquired, deployed, used, articles, first_reported, last_reported
FROM weapon_activity
WHERE weapon = $weapon AND received + acquired + deployed + used > 0
ORDER BY articles DESC, received + acquired + deployed + used DESC, country;
