"""The facts of the source document (COOMET-34-PS/13) as demo data."""

# iso2, name_en, name_ru, primary RMO, COOMET member, customs union
COUNTRIES = [
    ("AM", "Armenia", "Армения", "COOMET", True, "EAEU"),
    ("BY", "Belarus", "Беларусь", "COOMET", True, "EAEU"),
    ("CN", "China", "Китай", "APMP", True, ""),
    ("KG", "Kyrgyzstan", "Кыргызстан", "COOMET", True, "EAEU"),
    ("KZ", "Kazakhstan", "Казахстан", "COOMET", True, "EAEU"),
    ("MD", "Moldova", "Молдова", "COOMET", True, ""),
    ("RU", "Russia", "Россия", "COOMET", True, "EAEU"),
    ("SK", "Slovakia", "Словакия", "EURAMET", True, "EU"),
    ("TJ", "Tajikistan", "Таджикистан", "COOMET", True, ""),
    ("UZ", "Uzbekistan", "Узбекистан", "COOMET", True, ""),
]

# iso2, acronym, name_en, name_ru, kind, city in English, demo username
INSTITUTES = [
    ("AM", "NIM-AM", "National Institute of Metrology of Armenia", "Национальный институт метрологии Армении", "NMI", "Yerevan", "nmi-am"),
    ("BY", "BelGIM", "Belarusian State Institute of Metrology", "Белорусский государственный институт метрологии", "NMI", "Minsk", "nmi-by"),
    ("CN", "NIM", "National Institute of Metrology, China", "Национальный институт метрологии Китая", "NMI", "Beijing", "nmi-cn"),
    ("KG", "Kyrgyzstandard", "Centre for Standardization and Metrology of the Kyrgyz Republic", "Центр по стандартизации и метрологии Кыргызской Республики", "NMI", "Bishkek", "nmi-kg"),
    ("KZ", "KazStandart", "Kazakhstan Institute of Standardization and Metrology", "Казахстанский институт стандартизации и метрологии", "NMI", "Astana", "nmi-kz"),
    ("MD", "INM", "National Institute of Metrology of Moldova", "Национальный институт метрологии Молдовы", "NMI", "Chișinău", "nmi-md"),
    ("RU", "VNIIM", "D. I. Mendeleyev Institute for Metrology", "ВНИИ метрологии им. Д. И. Менделеева", "NMI", "Saint Petersburg", "nmi-ru-vniim"),
    ("RU", "VNIIMS", "All-Russian Research Institute of Metrological Service", "ВНИИ метрологической службы", "NMI", "Moscow", "nmi-ru-vniims"),
    ("RU", "VNIIFTRI", "All-Russian Research Institute of Physical-Technical and Radio-Technical Measurements", "ВНИИ физико-технических и радиотехнических измерений", "NMI", "Mendeleevo", "nmi-ru-vniiftri"),
    ("RU", "VNIIOFI", "All-Russian Research Institute for Optical and Physical Measurements", "ВНИИ оптико-физических измерений", "NMI", "Moscow", "nmi-ru-vniiofi"),
    ("RU", "UNIIM", "Ural Research Institute for Metrology", "Уральский НИИ метрологии", "NMI", "Yekaterinburg", "nmi-ru-uniim"),
    ("RU", "SNIIM", "Siberian Research Institute of Metrology", "Сибирский НИИ метрологии", "NMI", "Novosibirsk", "nmi-ru-sniim"),
    ("RU", "VNIIR", "All-Russian Research Institute for Flow Metering", "ВНИИ расходометрии", "DI", "Kazan", "nmi-ru-vniir"),
    ("SK", "SMU", "Slovak Institute of Metrology", "Словацкий институт метрологии", "NMI", "Bratislava", "nmi-sk"),
    ("TJ", "Tajikstandard", "Agency for Standardization, Metrology, Certification and Trade Inspection of Tajikistan", "Агентство по стандартизации, метрологии, сертификации и торговой инспекции Таджикистана", "NMI", "Dushanbe", "nmi-tj"),
    ("UZ", "UzNIM", "Uzbek National Institute of Metrology", "Узбекский национальный институт метрологии", "NMI", "Tashkent", "nmi-uz"),
]

# The 2021 survey by the COOMET Secretariat: who counts itself as CEEMS.
CEEMS_2021 = ["AM", "KG", "TJ", "UZ"]

# The task group's representatives announced so far (FACTS: Belarus, China, Armenia).
TASKGROUP_INSTITUTE_USERS = ["nmi-by", "nmi-cn", "nmi-am"]

# username, first name, last name, roles, institute acronym or None
STAFF_USERS = [
    ("admin", "Portal", "Administrator", ["admin"], None),
    ("secretariat", "Marina", "Secretariat", ["secretariat"], "BelGIM"),
    ("chair", "Aigerim", "Chair", ["taskgroup"], "KazStandart"),
    ("committee", "Petr", "Committee", ["committee"], None),
]

# The institutes' cities in Russian.
CITIES_RU = {
    "Yerevan": "Ереван",
    "Minsk": "Минск",
    "Beijing": "Пекин",
    "Bishkek": "Бишкек",
    "Astana": "Астана",
    "Chișinău": "Кишинёв",
    "Saint Petersburg": "Санкт-Петербург",
    "Moscow": "Москва",
    "Mendeleevo": "Менделеево",
    "Yekaterinburg": "Екатеринбург",
    "Novosibirsk": "Новосибирск",
    "Kazan": "Казань",
    "Bratislava": "Братислава",
    "Dushanbe": "Душанбе",
    "Tashkent": "Ташкент",
}
