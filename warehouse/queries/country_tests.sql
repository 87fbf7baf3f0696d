-- The weapons a country tested, as reported since a day: tests, articles and the months they fall in.
-- param country COUNTRY : the tester as typed: name, short form or demonym, any case (North Korea, Iranian, IND)
-- param since DATE = 1900-01-01 : first publication day (UTC) to count; the default counts every report
-- Tests that took place (see the weapon_tests view): planned, negated and denied ones are left out.
SELECT weapon,
       sum(tests) AS tests,
       sum(articles) AS articles,
       min(first_reported) AS first_reported,
       max(last_reported) AS last_reported,
       string_agg(strftime(month, '%Y-%m'), ', ' ORDER BY month) AS months
FROM weapon_test_rows(since := $since)
WHERE country = $country
GROUP BY weapon
ORDER BY last_reported DESC, tests DESC, weapon;
