"""The BIPM KCDB metrology areas and the sub-fields the portal uses, in
Russian and English: (code, name_en, name_ru, [(code, name_en, name_ru)])."""

KCDB_AREAS = [
    ("AUV", "Acoustics, ultrasound, vibration", "Акустика, ультразвук, вибрация", [
        ("AUV-A", "Sound in air", "Звук в воздухе"),
        ("AUV-W", "Sound in water", "Звук в воде"),
        ("AUV-U", "Ultrasound", "Ультразвук"),
        ("AUV-V", "Vibration and shock", "Вибрация и удар"),
    ]),
    ("EM", "Electricity and magnetism", "Электричество и магнетизм", [
        ("EM-DC", "DC voltage, current and resistance", "Постоянное напряжение, ток и сопротивление"),
        ("EM-IMP", "Impedance up to the megahertz range", "Импеданс до мегагерцового диапазона"),
        ("EM-AC", "AC voltage, current and power", "Переменное напряжение, ток и мощность"),
        ("EM-HV", "High voltage and high current", "Высокое напряжение и большой ток"),
        ("EM-MAG", "Magnetism", "Магнитные величины"),
        ("EM-RF", "Radio frequencies", "Радиочастотные измерения"),
    ]),
    ("L", "Length", "Длина", [
        ("L-LAS", "Laser frequencies and wavelengths", "Частоты и длины волн лазеров"),
        ("L-GB", "Gauge blocks and end standards", "Концевые меры длины"),
        ("L-LS", "Line scales and displacement", "Штриховые меры и перемещения"),
        ("L-ANG", "Angle", "Плоский угол"),
        ("L-FORM", "Form and surface texture", "Отклонения формы и шероховатость"),
        ("L-CMM", "Coordinate measurements", "Координатные измерения"),
    ]),
    ("M", "Mass and related quantities", "Масса и связанные величины", [
        ("M-MASS", "Mass", "Масса"),
        ("M-FORCE", "Force", "Сила"),
        ("M-PRESS", "Pressure and vacuum", "Давление и вакуум"),
        ("M-TORQ", "Torque", "Крутящий момент"),
        ("M-DENS", "Density", "Плотность"),
        ("M-VOL", "Volume, including small volume", "Объём, в том числе малые объёмы"),
        ("M-FLOW", "Fluid flow", "Расход жидкости и газа"),
        ("M-HARD", "Hardness", "Твёрдость"),
        ("M-VISC", "Viscosity", "Вязкость"),
    ]),
    ("PR", "Photometry and radiometry", "Фотометрия и радиометрия", [
        ("PR-PHOT", "Photometry", "Фотометрия"),
        ("PR-SPEC", "Spectral radiometry", "Спектральная радиометрия"),
        ("PR-FIB", "Fibre optics", "Волоконная оптика"),
        ("PR-COL", "Colorimetry", "Колориметрия"),
    ]),
    ("QM", "Chemistry and biology", "Химия и биология", [
        ("QM-PH", "pH", "pH (водородный показатель)"),
        ("QM-EC", "Electrolytic conductivity", "Удельная электрическая проводимость"),
        ("QM-GAS", "Gases", "Газовые смеси"),
        ("QM-WAT", "Water", "Вода"),
        ("QM-INORG", "Inorganic solutions", "Неорганические растворы"),
        ("QM-ORG", "Organic solutions", "Органические растворы"),
        ("QM-FOOD", "Food", "Пищевая продукция"),
    ]),
    ("RI", "Ionizing radiation", "Ионизирующие излучения", [
        ("RI-DOS", "Dosimetry", "Дозиметрия"),
        ("RI-RAD", "Radioactivity", "Радиоактивность"),
        ("RI-NEU", "Neutron measurements", "Нейтронные измерения"),
    ]),
    ("T", "Thermometry", "Термометрия", [
        ("T-CON", "Contact thermometry", "Контактная термометрия"),
        ("T-RAD", "Radiation thermometry", "Радиационная термометрия"),
        ("T-HUM", "Humidity", "Влажность"),
        ("T-TPH", "Thermophysical quantities", "Теплофизические величины"),
    ]),
    ("TF", "Time and frequency", "Время и частота", [
        ("TF-TSD", "Time scale difference", "Разность шкал времени"),
        ("TF-FREQ", "Frequency", "Частота"),
        ("TF-TI", "Time interval", "Интервалы времени"),
    ]),
]


def load_kcdb_areas(metrology_area_model, subfield_model) -> None:
    """Create or update the areas and sub-fields above. Takes the model
    classes so that a data migration can pass its historical models."""
    for position, (code, name_en, name_ru, subfields) in enumerate(KCDB_AREAS, start=1):
        area, _ = metrology_area_model.objects.update_or_create(
            code=code,
            defaults={"name": name_ru, "name_ru": name_ru, "name_en": name_en, "position": position},
        )
        for sub_position, (sub_code, sub_en, sub_ru) in enumerate(subfields, start=1):
            subfield_model.objects.update_or_create(
                code=sub_code,
                defaults={
                    "area": area,
                    "name": sub_ru,
                    "name_ru": sub_ru,
                    "name_en": sub_en,
                    "position": sub_position,
                },
            )
