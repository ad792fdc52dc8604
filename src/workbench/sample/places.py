"""US places, streets and e-mail domains used to build addresses and contacts.

Cities carry their state, a real-looking three-digit ZIP prefix (New England
ones start with 0, which is what breaks naive integer parsing), a local area
code and a rough population weight so big cities get more customers.
"""

from __future__ import annotations

# fmt: off
# (city, state, zip3 prefix, area code, population in thousands)
CITIES: tuple[tuple[str, str, str, int, int], ...] = (
    ("New York", "NY", "100", 212, 8300), ("Los Angeles", "CA", "900", 213, 3900),
    ("Chicago", "IL", "606", 312, 2700), ("Houston", "TX", "770", 713, 2300),
    ("Phoenix", "AZ", "850", 602, 1600), ("Philadelphia", "PA", "191", 215, 1600),
    ("San Antonio", "TX", "782", 210, 1450), ("San Diego", "CA", "921", 619, 1390),
    ("Dallas", "TX", "752", 214, 1300), ("San Jose", "CA", "951", 408, 1000),
    ("Austin", "TX", "787", 512, 960), ("Jacksonville", "FL", "322", 904, 950),
    ("Fort Worth", "TX", "761", 817, 930), ("Columbus", "OH", "432", 614, 900),
    ("Charlotte", "NC", "282", 704, 880), ("San Francisco", "CA", "941", 415, 820),
    ("Indianapolis", "IN", "462", 317, 880), ("Seattle", "WA", "981", 206, 740),
    ("Denver", "CO", "802", 303, 710), ("Washington", "DC", "200", 202, 690),
    ("Boston", "MA", "021", 617, 650), ("El Paso", "TX", "799", 915, 680),
    ("Nashville", "TN", "372", 615, 690), ("Detroit", "MI", "482", 313, 630),
    ("Oklahoma City", "OK", "731", 405, 690), ("Portland", "OR", "972", 503, 640),
    ("Las Vegas", "NV", "891", 702, 650), ("Memphis", "TN", "381", 901, 630),
    ("Louisville", "KY", "402", 502, 620), ("Baltimore", "MD", "212", 410, 580),
    ("Milwaukee", "WI", "532", 414, 570), ("Albuquerque", "NM", "871", 505, 560),
    ("Tucson", "AZ", "857", 520, 540), ("Fresno", "CA", "937", 559, 540),
    ("Sacramento", "CA", "958", 916, 520), ("Kansas City", "MO", "641", 816, 510),
    ("Mesa", "AZ", "852", 480, 500), ("Atlanta", "GA", "303", 404, 500),
    ("Omaha", "NE", "681", 402, 480), ("Colorado Springs", "CO", "809", 719, 480),
    ("Raleigh", "NC", "276", 919, 470), ("Miami", "FL", "331", 305, 440),
    ("Long Beach", "CA", "908", 562, 460), ("Virginia Beach", "VA", "234", 757, 450),
    ("Oakland", "CA", "946", 510, 430), ("Minneapolis", "MN", "554", 612, 430),
    ("Tulsa", "OK", "741", 918, 410), ("Tampa", "FL", "336", 813, 390),
    ("Arlington", "TX", "760", 817, 390), ("New Orleans", "LA", "701", 504, 380),
    ("Wichita", "KS", "672", 316, 390), ("Cleveland", "OH", "441", 216, 370),
    ("Bakersfield", "CA", "933", 661, 400), ("Aurora", "CO", "800", 303, 390),
    ("Anaheim", "CA", "928", 714, 350), ("Honolulu", "HI", "968", 808, 350),
    ("Santa Ana", "CA", "927", 714, 310), ("Riverside", "CA", "925", 951, 320),
    ("Corpus Christi", "TX", "784", 361, 320), ("Lexington", "KY", "405", 859, 320),
    ("St. Louis", "MO", "631", 314, 300), ("Pittsburgh", "PA", "152", 412, 300),
    ("Anchorage", "AK", "995", 907, 290), ("Cincinnati", "OH", "452", 513, 310),
    ("Saint Paul", "MN", "551", 651, 310), ("Greensboro", "NC", "274", 336, 300),
    ("Toledo", "OH", "436", 419, 270), ("Newark", "NJ", "071", 973, 310),
    ("Plano", "TX", "750", 972, 290), ("Lincoln", "NE", "685", 402, 290),
    ("Orlando", "FL", "328", 407, 310), ("Irvine", "CA", "926", 949, 310),
    ("Jersey City", "NJ", "073", 201, 290), ("Durham", "NC", "277", 919, 290),
    ("Chandler", "AZ", "852", 480, 280), ("Madison", "WI", "537", 608, 270),
    ("Buffalo", "NY", "142", 716, 280), ("Lubbock", "TX", "794", 806, 260),
    ("Scottsdale", "AZ", "852", 480, 240), ("Reno", "NV", "895", 775, 270),
    ("Glendale", "AZ", "853", 623, 250), ("Norfolk", "VA", "235", 757, 240),
    ("Boise", "ID", "837", 208, 240), ("Richmond", "VA", "232", 804, 230),
    ("Spokane", "WA", "992", 509, 230), ("Des Moines", "IA", "503", 515, 210),
    ("Salt Lake City", "UT", "841", 801, 200), ("Birmingham", "AL", "352", 205, 200),
    ("Rochester", "NY", "146", 585, 210), ("Providence", "RI", "029", 401, 190),
    ("Hartford", "CT", "061", 860, 120), ("New Haven", "CT", "065", 203, 135),
    ("Worcester", "MA", "016", 508, 205), ("Springfield", "MA", "011", 413, 155),
    ("Manchester", "NH", "031", 603, 115), ("Portland", "ME", "041", 207, 68),
    ("Burlington", "VT", "054", 802, 45), ("Bridgeport", "CT", "066", 203, 148),
    ("Stamford", "CT", "069", 203, 136), ("Trenton", "NJ", "086", 609, 90),
    ("Paterson", "NJ", "075", 973, 157), ("Cambridge", "MA", "021", 617, 118),
    ("Lowell", "MA", "018", 978, 115), ("Edison", "NJ", "088", 732, 107),
)

STREET_NAMES: tuple[str, ...] = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Walnut", "Spring", "North", "Ridge", "Church", "Willow", "Mill", "Sunset", "Railroad",
    "Jackson", "Cherry", "Highland", "Lincoln", "Madison", "Franklin", "Jefferson", "Center",
    "Chestnut", "Meadow", "River", "Forest", "Valley", "Hickory", "Adams", "Dogwood",
    "Poplar", "Birch", "Lakeview", "Sycamore", "Magnolia", "Pleasant", "Broad", "Market",
    "Water", "High", "Union", "Prospect", "Locust", "Laurel", "Spruce", "Holly", "Cypress",
    "Aspen", "Juniper", "Hillcrest", "Fairview", "Woodland", "Bridge", "Front", "Grove",
    "Orchard", "School", "Academy", "College", "Green", "King", "Liberty", "Monroe",
    "Oakwood", "Pearl", "Pennsylvania", "Riverside", "Rose", "Summit", "Sherwood", "Vine",
    "Winding", "Canyon", "Harbor", "Shady", "Heritage", "Mountain", "Colonial", "Greenwood",
    "Brookside", "Country Club", "Mulberry", "Sunrise", "Cottonwood", "Belmont", "Beacon",
    "Clinton", "Grant", "Hamilton", "Wilson", "First", "Second", "Third", "Fourth", "Fifth",
    "Sixth", "Seventh", "Eighth", "Ninth", "Tenth", "Martin Luther King Jr", "Old Mill",
)

# (abbreviation, long form, weight): CRM entry screens mostly store the abbreviation.
STREET_SUFFIXES: tuple[tuple[str, str, float], ...] = (
    ("St", "Street", 0.28), ("Ave", "Avenue", 0.2), ("Rd", "Road", 0.12),
    ("Dr", "Drive", 0.12), ("Ln", "Lane", 0.08), ("Ct", "Court", 0.05),
    ("Blvd", "Boulevard", 0.04), ("Way", "Way", 0.04), ("Pl", "Place", 0.03),
    ("Ter", "Terrace", 0.02), ("Cir", "Circle", 0.02),
)

# (domain, weight); the tail of ISP and employer domains is what real lists look like.
EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.38), ("yahoo.com", 0.12), ("hotmail.com", 0.07), ("outlook.com", 0.07),
    ("icloud.com", 0.07), ("aol.com", 0.03), ("comcast.net", 0.03), ("msn.com", 0.02),
    ("att.net", 0.02), ("live.com", 0.02), ("me.com", 0.015), ("sbcglobal.net", 0.01),
    ("verizon.net", 0.01), ("bellsouth.net", 0.01), ("cox.net", 0.01),
    ("protonmail.com", 0.01), ("ymail.com", 0.005), ("charter.net", 0.005),
    ("mac.com", 0.005), ("earthlink.net", 0.003), ("summitbank.com", 0.007),
    ("meridianhealth.org", 0.007), ("lakesideu.edu", 0.007), ("brightpath.io", 0.006),
    ("northgate-logistics.com", 0.006), ("cityofriverton.gov", 0.005),
)
# fmt: on

GMAIL_DOMAINS: frozenset[str] = frozenset({"gmail.com", "googlemail.com"})
"""Domains where dots in the local part are ignored by the mail provider."""
