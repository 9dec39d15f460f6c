"""Score one park with the bundled rubric and print why it lands in its tier."""

import greenscore

profile = {
    "park_id": "JX999",
    "year": 2016,
    "main_business_income": 420.0,
    "tax_revenue": 48.0,
    "developed_land": 2600.0,
    "leading_enterprises": 9,
    "leading_industries": 3,
    "lead_industry_share": 58.0,
    "largest_cluster_income": 260.0,
    "plot_ratio": 0.92,
    "idle_land_share": 6.5,
    "industrial_land_share": 57.0,
    "green_factories": 4,
    "solid_waste_utilisation": 91.0,
    "water_reuse_rate": 84.0,
    "energy_intensity": 0.52,
    "green_plan": True,
    "central_sewage_treatment": True,
    "circular_transformation": True,
    "cleaner_production_audits": False,
    "integration_index": 78.0,
    "smart_workshop_share": 24.0,
    "integration_certified_firms": 7,
    "informatization_stage": "integration",
    "large_department_reform": True,
    "flat_management": True,
    "enterprise_service_centre": True,
    "investment_promotion_reform": False,
    "online_service_rate": 88.0,
    "standard_land_share": 35.0,
    "investment_mode": "mixed",
    "major_incidents": 0,
    "serious_incidents": 0,
    "inspection_findings": 1,
    "falsified_data": False,
}

assessment = greenscore.evaluate(profile)
print(assessment.explain())
print()
print("tier:", assessment.tier.id, "| consequence:", assessment.tier.consequence)
